from ragkernel.cli import main

raise SystemExit(main())
