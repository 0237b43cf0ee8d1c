#[asyncio::entry]
fn main(args: Vec<String>) {
    let _ = args;
}
