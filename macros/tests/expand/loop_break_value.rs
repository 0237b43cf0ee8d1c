fn loop_break_value(limit: u32) -> u32 {
    let mut i = 0;
    let found = loop {
        i += 1;
        if check(i).await >= limit {
            break i * 10;
        }
    };
    found + 1
}
