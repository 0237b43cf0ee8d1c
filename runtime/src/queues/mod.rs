//! Queues for tasks (asyncio's "Queues").
