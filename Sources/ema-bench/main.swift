import EmaServer
print("ema-bench: pendiente")
