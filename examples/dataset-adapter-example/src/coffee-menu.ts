import { z } from 'zod';

/** One drink of the menu: how strong it tastes and how much milk it has, both on a 0 to 5 scale. */
export const coffeeDrinkSchema = z.object({
  name: z.string().min(1),
  strength: z.number().min(0).max(5),
  milk: z.number().min(0).max(5),
});

/** A drink of the menu. */
export type CoffeeDrink = z.infer<typeof coffeeDrinkSchema>;

/** The made-up menu the example dataset is built from. */
export const coffeeMenu: CoffeeDrink[] = [
  { name: 'espresso', strength: 5, milk: 0 },
  { name: 'ristretto', strength: 5, milk: 0.5 },
  { name: 'americano', strength: 3, milk: 0 },
  { name: 'cortado', strength: 4, milk: 2 },
  { name: 'flat white', strength: 3.5, milk: 3 },
  { name: 'cappuccino', strength: 2.5, milk: 3.5 },
  { name: 'latte', strength: 1.5, milk: 4.5 },
  { name: 'cafe au lait', strength: 1, milk: 5 },
];

/** The moments a drinker is asked about; each is the prompt of a comparison. */
export const coffeeMoments = ['Which coffee would you order first thing in the morning?', 'Which coffee would you order after lunch?'];

/** The two made-up drinkers: one scores a drink by its strength, the other by its milk. */
export const coffeeDrinkers = [
  { userId: 'strong-coffee-drinker', taste: 'strength' },
  { userId: 'milky-coffee-drinker', taste: 'milk' },
] as const;
