"""The soul linter: rules over single posts and over the whole queue."""
