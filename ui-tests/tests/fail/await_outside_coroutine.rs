fn f() -> u32 {
    asyncio::sleep(0).await;
    1
}

fn main() {}
