"""The HTTP API (FastAPI): REST resources, the FHIR R4B facade, authentication and roles."""
