import { describeEventBusContract } from './event-bus-contract.ts';
import { InProcessEventBus } from './in-process-event-bus.ts';

describeEventBusContract('in-process', async (onHandlerError) => new InProcessEventBus(onHandlerError));
