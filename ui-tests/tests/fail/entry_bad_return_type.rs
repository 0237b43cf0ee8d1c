#[asyncio::entry]
fn main() -> u32 {
    1
}
