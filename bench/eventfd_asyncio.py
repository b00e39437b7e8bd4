# Peer: the async ping-pong in Python asyncio: write, wait for add_reader's callback, read.
# Prints ns per round.
import asyncio, os, sys, time

async def main(n):
    fd = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
    loop = asyncio.get_running_loop()
    fut = None

    def readable():
        fut.set_result(os.eventfd_read(fd))

    loop.add_reader(fd, readable)
    t0 = time.perf_counter_ns()
    for _ in range(n):
        fut = loop.create_future()
        os.eventfd_write(fd, 1)
        await fut
    print(f"{(time.perf_counter_ns() - t0) / n:.1f}")

asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200000))
