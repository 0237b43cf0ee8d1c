fn peek(&self) -> u32 {
    let v = leaf("peek", self.n).await;
    v + self.n
}
