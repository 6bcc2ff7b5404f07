# The spec's Python client ("Python client (the user's example)" in websocket-api.md), as written,
# except for what a test needs: the URI is built from LICMON_URL and LICMON_API_KEY, and the loop
# stops after the number of messages given as the first argument.
import asyncio
import os
import sys
import websockets
import json

LIMIT = int(sys.argv[1])

async def stream_logs():
    uri = f"{os.environ['LICMON_URL']}/ws/logs?api_key={os.environ['LICMON_API_KEY']}"
    async with websockets.connect(uri) as ws:
        # Subscribe to error logs
        await ws.send(json.dumps({"action": "subscribe", "filter": {"level": ["error"]}}))
        received = 0
        async for message in ws:
            log = json.loads(message)
            print(f"[{log['level']}] {log['message']}")
            received += 1
            if received == LIMIT:
                break

asyncio.run(stream_logs())
