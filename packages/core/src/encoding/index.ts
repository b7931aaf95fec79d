// Placeholder: replaced by the encoding module.
export {};
