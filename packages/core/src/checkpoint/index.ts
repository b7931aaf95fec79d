// Placeholder: replaced by the checkpoint module.
export {};
