/**
 * The error function to near double precision. JavaScript has no Math.erf, and GELU's value and its
 * derivative must agree tightly for finite-difference gradient checks, so a cheap 1e-7 approximation
 * will not do: a Taylor series below |x| = 3 and the erfc continued fraction above.
 */
export function erf(x: number): number {
  const absolute = Math.abs(x);
  if (absolute < 3) {
    let term = absolute;
    let sum = absolute;
    const square = absolute * absolute;
    for (let n = 1; n < 100; n++) {
      term *= -square / n;
      const contribution = term / (2 * n + 1);
      sum += contribution;
      if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated bottom-up.
  let fraction = absolute;
  for (let n = 60; n >= 1; n--) fraction = absolute + n / 2 / fraction;
  const complement = Math.exp(-absolute * absolute) / Math.sqrt(Math.PI) / fraction;
  return Math.sign(x) * (1 - complement);
}
