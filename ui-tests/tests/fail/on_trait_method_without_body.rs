trait Fetch {
    #[asyncio::coroutine]
    fn fetch(&self) -> u32;
}

fn main() {}
