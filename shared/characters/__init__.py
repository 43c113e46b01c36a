"""Characters (seed 001): profile → reference → consistent LoRA → scenes."""
