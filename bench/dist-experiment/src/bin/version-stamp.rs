fn main() {
    sg_size::tools::version_stamp::main();
}
