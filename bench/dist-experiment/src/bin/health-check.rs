fn main() {
    sg_size::tools::health_check::main();
}
