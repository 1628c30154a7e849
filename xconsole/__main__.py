from xconsole.cli.start import run

run()
