from xconsole.cli import main

main(prog_name="xconsole")
