fn try_in_loop(paths: Vec<String>) -> Result<usize, Error> {
    let mut total = 0;
    for path in paths {
        let text = read(path).await?;
        total += text.len();
    }
    Ok(total)
}
