from .cli import main

if __name__ == "__main__":  # not when a render worker process is spawned from here
    main()
