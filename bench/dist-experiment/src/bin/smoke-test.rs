fn main() {
    sg_size::tools::smoke_test::main();
}
