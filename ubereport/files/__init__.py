"""Durable file operations on the shared drive: atomic writes and the identity of a file's bytes.
May use only the standard library and the foundation (errors); knows nothing of what files hold."""
