from stagecore.cli import main

raise SystemExit(main())
