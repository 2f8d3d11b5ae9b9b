import EmaServer

await Entrypoint.main()
