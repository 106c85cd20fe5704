from crossfoot.cli import main

main()
