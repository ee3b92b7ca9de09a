fn main() {
    sg_size::tools::tag_gate::main();
}
