fn bump(&mut self, by: u32) -> u32 {
    let _guard = self.lock();
    self.n += fetch(by).await;
    self.n
}
