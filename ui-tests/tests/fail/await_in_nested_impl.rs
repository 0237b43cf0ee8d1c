struct S;

#[asyncio::coroutine]
fn outer() -> u32 {
    impl S {
        fn value(&self) -> u32 {
            asyncio::sleep(0).await;
            1
        }
    }
    S.value()
}

fn main() {}
