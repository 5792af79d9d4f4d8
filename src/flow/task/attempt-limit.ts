/** The upper limit on attempts of one task (first attempt plus retries). Its own module: a BullMQ worker's parent process needs it without loading the task engine. */
export const MAX_ATTEMPTS = 6;
