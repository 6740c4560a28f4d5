"""不依赖 Django 的命令（synth、assess……）：纯 Python，只用 core 和 engine。"""
