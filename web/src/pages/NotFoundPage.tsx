import { Link } from 'react-router-dom';
import { Empty } from '../components/States';

export function NotFoundPage() {
  return (
    <Empty title="Page not found">
      <p>
        There is nothing at this address. <Link to="/contacts">Go to contacts</Link>.
      </p>
    </Empty>
  );
}
