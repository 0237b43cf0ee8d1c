extern "C" {
    #[asyncio::coroutine]
    fn printf(format: *const u8, ...) -> i32;
}

fn main() {}
