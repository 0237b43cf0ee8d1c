struct App;

impl App {
    #[asyncio::entry]
    fn run(self) {}
}

fn main() {}
