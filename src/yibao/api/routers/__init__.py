"""The API's routers, one per resource; each is ``router(ctx, principal) -> APIRouter``."""
