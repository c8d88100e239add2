"""The differential suite: DVC's functional tests replayed with DVC and with stagecore, compared (issue 10)."""
