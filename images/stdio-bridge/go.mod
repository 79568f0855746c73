module github.com/mcpg-dev/mcpg-functions/images/stdio-bridge

go 1.26
