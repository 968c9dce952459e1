package dev.backout.target;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

interface TargetRepository extends ListCrudRepository<Target, Long> {

	Optional<Target> findByName(String name);

	@Query("select * from target order by alias_group, environment, name")
	List<Target> findAllInOrder();

}
