// A local borrowed across an await stays in place; moving part of it out
// (`pair.0`) is supported at its last use only. Before that, rustc reports
// the move from the place; the fix is to move the whole value first.

#[asyncio::coroutine]
fn f() -> usize {
    let pair = (String::from("a"), String::from("b"));
    let r = &pair;
    asyncio::sleep(0).await.ok();
    let n = r.1.len();
    let a = pair.0;
    a.len() + pair.1.len() + n
}

fn main() {}
