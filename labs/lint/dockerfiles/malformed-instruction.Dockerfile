FROM alpine:3.20
# A misspelt instruction: BuildKit names it and suggests the right one.
COPPY app /app
