// Milan's nine municipi (the city's districts since 2016): every desk, event and staff scope is in one.
export const MUNICIPI: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9];
