"""The writer's workflow: the library behind the tasks in ``tasks.py`` (build, serve, ...)."""
