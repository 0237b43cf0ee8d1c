// A local borrowed across an await stays in place, and its fields are
// borrowed in place, one by one. A method call through `s.inner.a` (which
// may write) reaches all of `s.inner`, so beside a separate borrow of
// `s.inner.b` it is refused, with the fix.

struct Inner {
    a: Vec<u32>,
    b: String,
}

struct Outer {
    inner: Inner,
}

#[asyncio::coroutine]
fn f() -> usize {
    let mut s = Outer {
        inner: Inner {
            a: vec![1],
            b: String::from("b"),
        },
    };
    let b = &s.inner.b;
    asyncio::sleep(0).await.ok();
    s.inner.a.push(2);
    b.len() + s.inner.a.len()
}

fn main() {}
