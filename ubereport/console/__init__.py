"""The terminal around the commands: output streams that survive any text under any encoding
(``streams``), argparse in Japanese (``arguments``) and progress on long batches (``progress``).
May use japanese and the foundation; the command line above uses it."""
