from guwah.cli import app

app(prog_name="guwah")
