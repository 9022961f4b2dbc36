fn main() {
    print!("{}", pipegen::schema::generate());
}
