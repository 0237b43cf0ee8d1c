fn straight_line(a: u32, name: String) -> String {
    let x = first(a).await;
    let y = second(x).await;
    format!("{name}: {}", x + y)
}
