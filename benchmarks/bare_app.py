"""The baseline: a bare FastAPI app (no middleware, no database, no templates) on the same uvicorn."""

from fastapi import FastAPI, Form

app = FastAPI()


@app.post("/echo")
def echo(choice: str = Form()) -> dict[str, str]:
    """Parse a small form in the threadpool, as the real save does, and answer JSON."""
    return {"choice": choice}
