export { coffeeDatasetSettingsSchema, createCoffeeDataset, type CoffeeDatasetSettings } from './coffee-dataset.js';
export { coffeeDrinkSchema, coffeeMenu, type CoffeeDrink } from './coffee-menu.js';
