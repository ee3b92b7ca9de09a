fn main() {
    sg_size::tools::semantic_bump::main();
}
