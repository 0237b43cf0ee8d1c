fn match_arms(n: u32) -> String {
    let s = match leaf("scrut", n).await {
        0 => "zero".to_string(),
        k if k % 2 == 0 => format!("even {}", leaf("even", k).await),
        k => {
            let w = leaf("odd", k * 3).await;
            format!("odd {w}")
        }
    };
    s
}
