fn borrow_across_await(names: Vec<String>) -> usize {
    let text = names.join(" ");
    let mut total = 0;
    for word in text.split_whitespace() {
        leaf(word.len()).await;
        total += word.len();
    }
    total + text.len()
}
